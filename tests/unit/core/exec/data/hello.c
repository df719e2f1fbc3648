/* A small real program for the loader's tests (built static by CMake). */
#include <stdio.h>

int main(int argc, char **argv)
{
	printf("hello from %s (%d arguments)\n", argv[0], argc);
	return 0;
}
