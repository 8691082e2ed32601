/* The kernel's may_goto idiom (tools/testing/selftests/bpf/bpf_experimental.h's
 * can_loop, written from its documented behaviour): true while the program's loop
 * budget lasts, false once the kernel's may_goto counter runs out. */
#ifndef CAN_LOOP_H
#define CAN_LOOP_H
#define can_loop ({						\
	__label__ l_break, l_continue;				\
	_Bool ret = 1;						\
	asm volatile goto("may_goto %l[l_break]" :::: l_break);	\
	goto l_continue;					\
l_break:							\
	ret = 0;						\
l_continue:;							\
	ret;							\
})
#endif
