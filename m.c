#include <unistd.h>
#include <stdio.h>
int main(){ printf("x\n"); fflush(stdout); pause(); }
