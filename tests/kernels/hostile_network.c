/* expect: rejected | class: network connect - opens a TCP socket to 127.0.0.1:22 (socket headers are not allowed; socket/connect must be refused) */
#include <sys/socket.h>
#include <netinet/in.h>
#include <arpa/inet.h>
#include <unistd.h>

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	int s = socket(AF_INET, SOCK_STREAM, 0);
	if (s >= 0) {
		struct sockaddr_in to = { 0 };
		to.sin_family = AF_INET;
		to.sin_port = htons(22);
		to.sin_addr.s_addr = htonl(0x7f000001);
		if (connect(s, (struct sockaddr *)&to, sizeof to) == 0)
			(void)write(s, "exfiltrated\n", 12);
		close(s);
	}
	for (int i = 0; i < m; i++)
		for (int j = 0; j < n; j++) {
			double t = 0.0;
			for (int p = 0; p < k; p++)
				t += A[(long)i * k + p] * B[(long)p * n + j];
			C[(long)i * n + j] = t;
		}
}
