/* expect: rejected | class: work left on a background thread - pthread_create (hand-declared, no header) finishes C after dgemm returns */
/* If it ran, the timer would stop before the work is done and C would still
 * be NaN when checked (or be written while the next call runs). */
typedef unsigned long thread_t;
int pthread_create(thread_t *t, const void *attr, void *(*fn)(void *), void *arg);
int pthread_detach(thread_t t);

struct job { int m, n, k; const double *A, *B; double *C; };
static struct job job;

static void *worker(void *arg)
{
	const struct job *j = arg;
	for (int i = 0; i < j->m; i++)
		for (int c = 0; c < j->n; c++) {
			double s = 0.0;
			for (int p = 0; p < j->k; p++)
				s += j->A[(long)i * j->k + p] * j->B[(long)p * j->n + c];
			j->C[(long)i * j->n + c] = s;
		}
	return 0;
}

void dgemm(int m, int n, int k, const double *A, const double *B, double *C)
{
	thread_t t;
	job = (struct job){ m, n, k, A, B, C };
	if (pthread_create(&t, 0, worker, &job) == 0)
		pthread_detach(t);	/* return at once; the thread finishes later */
	else
		worker(&job);
}
