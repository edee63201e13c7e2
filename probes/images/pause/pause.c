/* netprobe pause: the pod sandbox's init. Sleeps, reaps children, exits on SIGTERM/SIGINT. */
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

static void on_stop(int sig) { _exit(sig == SIGTERM || sig == SIGINT ? 0 : 1); }

static void on_child(int sig) {
	(void)sig;
	while (waitpid(-1, NULL, WNOHANG) > 0) {
	}
}

int main(int argc, char **argv) {
	struct sigaction sa;
	if (argc > 1 && strcmp(argv[1], "-v") == 0) {
		puts("netprobe-pause 3.10-np");
		return 0;
	}
	memset(&sa, 0, sizeof sa);
	sa.sa_handler = on_stop;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = on_child;
	sa.sa_flags = SA_NOCLDSTOP | SA_RESTART;
	sigaction(SIGCHLD, &sa, NULL);
	if (getpid() != 1)
		fputs("pause: not running as PID 1\n", stderr);
	for (;;)
		pause();
}
