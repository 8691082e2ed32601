/* Shared by the BPF benchmark programs and native.c: the parameters both sides must agree
 * on, so a result can be compared number for number. */
#ifndef BENCH_PROGS_H
#define BENCH_PROGS_H

#define BENCH_CSUM_BYTES 1500   /* checksummed bytes (or the packet, if shorter) */
#define BENCH_CRC_BYTES 1500
#define BENCH_SIEVE_N 4096      /* primes below this: 564 */
#define BENCH_SORT_N 64
#define BENCH_ALU_ITERS 1000
#define BENCH_MAP_ITERS 64
#define BENCH_MAP_KEYS 32       /* keys taken modulo this, so updates hit existing entries */

#endif
