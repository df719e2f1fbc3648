/* nop: exits 0 at once; what bench_forkexec execs. */
int main(void)
{
	return 0;
}
