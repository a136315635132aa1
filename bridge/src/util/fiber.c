/* Functions on stacks of their own, entered and left (fiber.h). */
#include "fiber.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#if defined(__SANITIZE_ADDRESS__)
#include <sanitizer/asan_interface.h>
#include <sanitizer/common_interface_defs.h>
#define ASAN_FIBERS 1
#endif

#if defined(__has_include)
#if __has_include(<valgrind/valgrind.h>)
#include <valgrind/valgrind.h>
#define VALGRIND_FIBERS 1
#endif
#endif

static size_t page_size(void)
{
	long p = sysconf(_SC_PAGESIZE);

	return p > 0 ? (size_t)p : 4096;
}

static void *stack_base(const struct fiber *f)
{
	return (char *)f->map + page_size();
}

static size_t stack_len(const struct fiber *f)
{
	return f->map_size - page_size();
}

int fiber_init(struct fiber *f, size_t stack_size)
{
	size_t pg = page_size();

	memset(f, 0, sizeof(*f));
	stack_size = (stack_size + pg - 1) / pg * pg;
	f->map_size = stack_size + pg;
	/* Pages are only backed once touched: a deep stack costs what it uses. */
	f->map = mmap(NULL, f->map_size, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS | MAP_STACK,
		      -1, 0);
	if (f->map == MAP_FAILED) {
		f->map = NULL;
		return -1;
	}
	if (mprotect(f->map, pg, PROT_NONE) < 0) {
		munmap(f->map, f->map_size);
		f->map = NULL;
		return -1;
	}
#ifdef VALGRIND_FIBERS
	f->stack_id = VALGRIND_STACK_REGISTER(stack_base(f), (char *)stack_base(f) + stack_len(f));
#endif
	return 0;
}

void fiber_release(struct fiber *f)
{
	if (!f->map)
		return;
#ifdef VALGRIND_FIBERS
	VALGRIND_STACK_DEREGISTER(f->stack_id);
#endif
	munmap(f->map, f->map_size);
	f->map = NULL;
}

static void fiber_main(struct fiber *f)
{
#ifdef ASAN_FIBERS
	__sanitizer_finish_switch_fiber(NULL, &f->host->stack_bottom, &f->host->stack_size);
#endif
	f->fn(f->arg);
	f->finished = 1;
#ifdef ASAN_FIBERS
	/* NULL: this run of the stack is over, its fake frames can go. */
	__sanitizer_start_switch_fiber(NULL, f->host->stack_bottom, f->host->stack_size);
#endif
}

#if defined(__x86_64__)
/*
 * ctx_switch(from, to): pushes the callee-saved registers and the SSE/x87
 * control words, stores the stack pointer in *from, takes to's and pops
 * what was pushed there. A new fiber's stack is laid out as if it had
 * switched away at the start of ctx_entry, with the fiber in r12.
 */
void tspb_ctx_switch(void **from, void *to);
void tspb_ctx_entry(void);
__asm__(".pushsection .text\n"
	".globl tspb_ctx_switch\n"
	".type tspb_ctx_switch,@function\n"
	"tspb_ctx_switch:\n"
	"\tpushq %rbp\n\tpushq %rbx\n\tpushq %r12\n\tpushq %r13\n\tpushq %r14\n\tpushq %r15\n"
	"\tsubq $8, %rsp\n\tstmxcsr (%rsp)\n\tfnstcw 4(%rsp)\n"
	"\tmovq %rsp, (%rdi)\n"
	"\tmovq %rsi, %rsp\n"
	"\tldmxcsr (%rsp)\n\tfldcw 4(%rsp)\n\taddq $8, %rsp\n"
	"\tpopq %r15\n\tpopq %r14\n\tpopq %r13\n\tpopq %r12\n\tpopq %rbx\n\tpopq %rbp\n"
	"\tret\n"
	".size tspb_ctx_switch,.-tspb_ctx_switch\n"
	".globl tspb_ctx_entry\n"
	".type tspb_ctx_entry,@function\n"
	"tspb_ctx_entry:\n"
	"\tmovq %r12, %rdi\n"
	"\tcall tspb_fiber_run\n"
	"\tud2\n"
	".size tspb_ctx_entry,.-tspb_ctx_entry\n"
	".popsection\n");

/* Runs the fiber, then leaves its stack for good. */
void tspb_fiber_run(struct fiber *f);
void tspb_fiber_run(struct fiber *f)
{
	void *dead;

	fiber_main(f);
	tspb_ctx_switch(&dead, f->host->ctx.sp);
}

static void ctx_make(struct fiber *f)
{
	/* ctx_entry starts with rsp 16-aligned, as after a call's return address is popped. */
	uint64_t *top = (uint64_t *)(((uintptr_t)stack_base(f) + stack_len(f) - 16) & ~(uintptr_t)15);
	uint64_t *sp = top - 8;

	sp[0] = 0x1f80 | (uint64_t)0x037f << 32;       /* mxcsr, x87 control word: their defaults */
	sp[1] = 0;                                      /* r15 */
	sp[2] = 0;                                      /* r14 */
	sp[3] = 0;                                      /* r13 */
	sp[4] = (uint64_t)(uintptr_t)f;                 /* r12 */
	sp[5] = 0;                                      /* rbx */
	sp[6] = 0;                                      /* rbp */
	sp[7] = (uint64_t)(uintptr_t)tspb_ctx_entry;    /* return address */
	f->ctx.sp = sp;
}

static void ctx_switch(struct fiber_ctx *from, struct fiber_ctx *to)
{
	tspb_ctx_switch(&from->sp, to->sp);
}
#else
/* makecontext() passes ints: the fiber's address comes in two halves. */
static void trampoline(unsigned hi, unsigned lo)
{
	struct fiber *f = (struct fiber *)(((uintptr_t)hi << 16 << 16) | (uintptr_t)lo);

	fiber_main(f);
	setcontext(&f->host->ctx.uc);
}

static void ctx_make(struct fiber *f)
{
	uintptr_t p = (uintptr_t)f;

	getcontext(&f->ctx.uc);
	f->ctx.uc.uc_stack.ss_sp = stack_base(f);
	f->ctx.uc.uc_stack.ss_size = stack_len(f);
	f->ctx.uc.uc_link = NULL;
	makecontext(&f->ctx.uc, (void (*)(void))trampoline, 2, (unsigned)(p >> 16 >> 16),
		    (unsigned)(p & 0xffffffffu));
}

static void ctx_switch(struct fiber_ctx *from, struct fiber_ctx *to)
{
	swapcontext(&from->uc, &to->uc);
}
#endif

void fiber_start(struct fiber *f, fiber_fn fn, void *arg)
{
	f->fn = fn;
	f->arg = arg;
	f->finished = 0;
	f->fake_stack = NULL;
#ifdef ASAN_FIBERS
	/* A reused stack still carries the poison of the frames that were on it. */
	__asan_unpoison_memory_region(stack_base(f), stack_len(f));
#endif
	ctx_make(f);
}

void fiber_enter(struct fiber_host *h, struct fiber *f)
{
#ifdef ASAN_FIBERS
	void *fake = NULL;

	__sanitizer_start_switch_fiber(&fake, stack_base(f), stack_len(f));
#endif
	f->host = h;
	ctx_switch(&h->ctx, &f->ctx);
#ifdef ASAN_FIBERS
	__sanitizer_finish_switch_fiber(fake, NULL, NULL);
#endif
}

void fiber_yield(struct fiber *f)
{
#ifdef ASAN_FIBERS
	__sanitizer_start_switch_fiber(&f->fake_stack, f->host->stack_bottom, f->host->stack_size);
#endif
	ctx_switch(&f->ctx, &f->host->ctx);
#ifdef ASAN_FIBERS
	/* Maybe another thread's host now: fiber_enter() set f->host. */
	__sanitizer_finish_switch_fiber(f->fake_stack, &f->host->stack_bottom, &f->host->stack_size);
#endif
}
