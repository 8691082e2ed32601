/* Atomic read-modify-write on map values and globals: add, fetch_add, or, and, xor (plain
 * and fetch), xchg and cmpxchg, at 64 bits at every cpu level and at 32 bits where the
 * instruction exists (-mcpu=v3 and later; clang refuses them below, see the fallback). */
#include <linux/bpf.h>
#include <bpf/bpf_helpers.h>

struct vals {
	__u64 add, fadd, or, fand, xor, xchg, cmpx;
	__u32 add32, fadd32, or32, and32, xor32, xchg32, cmpx32, pad;
	__u64 fetched;
	__u64 and_plain;                       /* results unused: the non-fetch forms */
	__u32 or32_plain, and32_plain, xor32_plain, pad2;
};

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct vals);
} atom SEC(".maps");

SEC("socket")
int socket_atomics(struct __sk_buff *skb)
{
	__u32 k = 0;
	struct vals *v = bpf_map_lookup_elem(&atom, &k);
	__u64 len = skb->len, f = 0;

	if (!v)
		return 0;
	__sync_fetch_and_add(&v->add, len);                 /* plain add (result unused) */
	f += __sync_fetch_and_add(&v->fadd, 2);
	__sync_fetch_and_or(&v->or, len << 8);
	f += __sync_fetch_and_and(&v->fand, 0xff00ff00ff00ff00ull | len);
	__sync_fetch_and_xor(&v->xor, 0x5555);
	__sync_fetch_and_and(&v->and_plain, ~len);
	f += __sync_lock_test_and_set(&v->xchg, len);
	f += __sync_val_compare_and_swap(&v->cmpx, 0, len + 1);
#if __BPF_CPU_VERSION__ >= 3
	__sync_fetch_and_add(&v->add32, (__u32)len);
	f += __sync_fetch_and_add(&v->fadd32, 3);
	f += __sync_fetch_and_or(&v->or32, 0x10);
	f += __sync_fetch_and_and(&v->and32, 0xfffffff0u);
	f += __sync_fetch_and_xor(&v->xor32, 0xaa);
	f += __sync_lock_test_and_set(&v->xchg32, (__u32)len);
	f += __sync_val_compare_and_swap(&v->cmpx32, 0, 7);
	__sync_fetch_and_or(&v->or32_plain, (__u32)len);
	__sync_fetch_and_and(&v->and32_plain, (__u32)len << 4);
	__sync_fetch_and_xor(&v->xor32_plain, 0x77);
#else
	/* Below v3 only the plain 32-bit add exists (xadd w); the fetch forms become plain
	 * read-modify-write so a single-threaded run gives the same values at every level. */
	__sync_fetch_and_add(&v->add32, (__u32)len);
	f += v->fadd32; v->fadd32 += 3;
	f += v->or32; v->or32 |= 0x10;
	f += v->and32; v->and32 &= 0xfffffff0u;
	f += v->xor32; v->xor32 ^= 0xaa;
	f += v->xchg32; v->xchg32 = (__u32)len;
	f += v->cmpx32; if (v->cmpx32 == 0) v->cmpx32 = 7;
	v->or32_plain |= (__u32)len;
	v->and32_plain &= (__u32)len << 4;
	v->xor32_plain ^= 0x77;
#endif
	v->fetched = f;
	return f & 0xffff;
}

char LICENSE[] SEC("license") = "GPL";
