/* net (XDP, tc, flow dissector) and cgroup attachments. */
#define _GNU_SOURCE
#include "kj.h"

#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/if_link.h>
#include <linux/netlink.h>
#include <linux/pkt_cls.h>
#include <linux/pkt_sched.h>
#include <linux/rtnetlink.h>
#include <sys/socket.h>
#include <bpf/bpf.h>
#include <bpf/btf.h>
#include <bpf/libbpf.h>

/* ---- net ---------------------------------------------------------------------- */
/* tc: the kernel picks each filter's handle and priority (libbpf reads them back);
 * show and detach find BPF filters by dumping the clsact hook over netlink, as
 * bpftool's net show does, so filters attached by anyone are seen. */
struct tcf { uint32_t handle, prio, prog_id; char name[64]; };

static int tc_dump(int ifindex, int egress, struct tcf *out, int max)
{
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	struct {
		struct nlmsghdr nh;
		struct tcmsg t;
	} req;
	memset(&req, 0, sizeof(req));
	req.nh.nlmsg_len = NLMSG_LENGTH(sizeof(struct tcmsg));
	req.nh.nlmsg_type = RTM_GETTFILTER;
	req.nh.nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP;
	req.nh.nlmsg_seq = 1;
	req.t.tcm_family = AF_UNSPEC;
	req.t.tcm_ifindex = ifindex;
	req.t.tcm_parent = TC_H_MAKE(TC_H_CLSACT, egress ? TC_H_MIN_EGRESS : TC_H_MIN_INGRESS);
	if (send(fd, &req, req.nh.nlmsg_len, 0) < 0) {
		int e = errno;
		close(fd);
		return -e;
	}
	static char buf[32768];
	int n = 0, done = 0, r = 0;
	while (!done) {
		ssize_t len = recv(fd, buf, sizeof(buf), 0);
		if (len < 0) {
			r = -errno;
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf; NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_type == NLMSG_DONE) {
				done = 1;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *ne = NLMSG_DATA(h);
				r = ne->error;
				done = 1;
				break;
			}
			if (h->nlmsg_type != RTM_NEWTFILTER)
				continue;
			struct tcmsg *t = NLMSG_DATA(h);
			struct tcf f = { .handle = t->tcm_handle, .prio = TC_H_MAJ(t->tcm_info) >> 16 };
			int is_bpf = 0;
			int alen = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof(*t));
			for (struct rtattr *a = (struct rtattr *)((char *)t + NLMSG_ALIGN(sizeof(*t))); RTA_OK(a, alen);
			     a = RTA_NEXT(a, alen)) {
				if (a->rta_type == TCA_KIND)
					is_bpf = !strcmp((const char *)RTA_DATA(a), "bpf");
				if (a->rta_type != TCA_OPTIONS)
					continue;
				int olen = (int)RTA_PAYLOAD(a);
				for (struct rtattr *o = RTA_DATA(a); RTA_OK(o, olen); o = RTA_NEXT(o, olen)) {
					if (o->rta_type == TCA_BPF_ID && RTA_PAYLOAD(o) >= 4)
						memcpy(&f.prog_id, RTA_DATA(o), 4);
					if (o->rta_type == TCA_BPF_NAME)
						snprintf(f.name, sizeof(f.name), "%.*s", (int)RTA_PAYLOAD(o),
							 (const char *)RTA_DATA(o));
				}
			}
			if (is_bpf && f.prog_id && n < max)
				out[n++] = f;
		}
	}
	close(fd);
	if (r == -EINVAL || r == -ENOENT)
		return 0;   /* no clsact qdisc: no filters */
	return r < 0 ? r : n;
}

static int xdp_flags(const char *attach)
{
	if (!strcmp(attach, "xdp")) return 0;
	if (!strcmp(attach, "xdpgeneric")) return XDP_FLAGS_SKB_MODE;
	if (!strcmp(attach, "xdpdrv")) return XDP_FLAGS_DRV_MODE;
	if (!strcmp(attach, "xdpoffload")) return XDP_FLAGS_HW_MODE;
	return -1;
}

static int tc_point(const char *attach)
{
	if (!strcmp(attach, "tc_ingress") || !strcmp(attach, "tcx_ingress")) return BPF_TC_INGRESS;
	if (!strcmp(attach, "tc_egress") || !strcmp(attach, "tcx_egress")) return BPF_TC_EGRESS;
	return -1;
}

static int dev_index(const char *dev, struct bk_err *err)
{
	unsigned idx = if_nametoindex(dev);
	if (!idx)
		return bk_err_set(err, -ENODEV, "no network device '%s'", dev);
	return (int)idx;
}

int bk_kern_net_attach(int prog_fd, const char *attach, const char *dev, int overwrite,
		       struct bk_err *err)
{
	struct bk_kern_net_opts o = BK_OPTS_INIT(bk_kern_net_opts, .overwrite = overwrite);
	return bk_kern_net_attach_opts(prog_fd, attach, dev, &o, err);
}

int bk_kern_net_detach(const char *attach, const char *dev, struct bk_err *err)
{
	return bk_kern_net_detach_opts(attach, dev, NULL, err);
}

/* handle/prio as tc shows them: "handle 0x5", "pref 7". */
static const char *tc_which(char *buf, size_t len, uint32_t handle, uint32_t prio)
{
	buf[0] = 0;
	if (handle && prio)
		snprintf(buf, len, " (handle 0x%x, pref %u)", handle, prio);
	else if (handle)
		snprintf(buf, len, " (handle 0x%x)", handle);
	else if (prio)
		snprintf(buf, len, " (pref %u)", prio);
	return buf;
}

int bk_kern_net_attach_opts(int prog_fd, const char *attach, const char *dev, const struct bk_kern_net_opts *opts,
			    struct bk_err *err)
{
	int overwrite = BK_OPTS_GET(opts, overwrite, 0);
	uint32_t handle = BK_OPTS_GET(opts, handle, 0), prio = BK_OPTS_GET(opts, priority, 0);
	int fl = xdp_flags(attach), tp = tc_point(attach);
	if (fl < 0 && tp < 0)
		return bk_err_set(err, -EINVAL, "unknown attach type '%s' (xdp, xdpgeneric, xdpdrv, xdpoffload, "
				  "tc_ingress, tc_egress)", attach);
	if (fl >= 0 && (handle || prio))
		return bk_err_set(err, -EINVAL, "handle and prio are for tc attach types, not %s", attach);
	if (prio > 0xffff)
		return bk_err_set(err, -EINVAL, "prio %u: tc priorities go up to 65535", prio);
	int idx = dev_index(dev, err);
	if (idx < 0)
		return idx;
	if (fl >= 0) {
		if (!overwrite)
			fl |= XDP_FLAGS_UPDATE_IF_NOEXIST;
		int r = bpf_xdp_attach(idx, prog_fd, (uint32_t)fl, NULL);
		if (r == -EBUSY || r == -EEXIST)
			return bk_err_set(err, r, "%s: a program is already attached (use 'overwrite')", dev);
		if (r)
			return bk_err_set(err, r, "%s: can't attach %s: %s", dev, attach, strerror(-r));
		return 0;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = idx, .attach_point = (enum bpf_tc_attach_point)tp);
	int r = bpf_tc_hook_create(&hook);
	if (r && r != -EEXIST)
		return bk_err_set(err, r, "%s: can't create the clsact qdisc: %s", dev, strerror(-r));
	LIBBPF_OPTS(bpf_tc_opts, o, .prog_fd = prog_fd, .handle = handle, .priority = prio);
	struct tcf f[64];
	int nf = tc_dump(idx, tp == BPF_TC_EGRESS, f, 64);
	if (nf < 0)
		return bk_err_set(err, nf, "%s: can't list the tc filters: %s", dev, strerror(-nf));
	char which[64];
	if (handle || prio) {
		/* As tc: a filter named by handle and priority is added beside the others;
		 * the same handle and priority again is an error unless replaced. */
		int same = -1;
		for (int i = 0; i < nf; i++)
			if ((!handle || f[i].handle == handle) && (!prio || f[i].prio == prio))
				same = i;
		if (same >= 0 && handle && prio) {
			if (!overwrite)
				return bk_err_set(err, -EEXIST, "%s: a filter is already attached at %s%s (use 'overwrite')", dev,
						  attach, tc_which(which, sizeof(which), handle, prio));
			o.flags = BPF_TC_F_REPLACE;
		} else if (same >= 0 && overwrite) {
			o.handle = f[same].handle;
			o.priority = f[same].prio;
			o.flags = BPF_TC_F_REPLACE;
		}
	} else if (overwrite) {
		/* Replace the one BPF filter there (several: ambiguous; none: a new one). */
		if (nf > 1)
			return bk_err_set(err, -EINVAL, "%s: %d BPF filters at %s: name one with handle and prio", dev, nf,
					  attach);
		if (nf == 1) {
			o.handle = f[0].handle;
			o.priority = f[0].prio;
			o.flags = BPF_TC_F_REPLACE;
		}
	} else if (nf > 0) {
		return bk_err_set(err, -EEXIST, "%s: a program is already attached at %s (use 'overwrite', or handle and prio)",
				  dev, attach);
	}
	r = bpf_tc_attach(&hook, &o);
	if (r == -EEXIST)
		return bk_err_set(err, r, "%s: a filter is already attached at %s%s (use 'overwrite')", dev, attach,
				  tc_which(which, sizeof(which), handle, prio));
	if (r)
		return bk_err_set(err, r, "%s: can't attach %s%s: %s", dev, attach,
				  tc_which(which, sizeof(which), handle, prio), strerror(-r));
	return 0;
}

int bk_kern_net_detach_opts(const char *attach, const char *dev, const struct bk_kern_net_opts *opts,
			    struct bk_err *err)
{
	uint32_t handle = BK_OPTS_GET(opts, handle, 0), prio = BK_OPTS_GET(opts, priority, 0);
	int fl = xdp_flags(attach), tp = tc_point(attach);
	if (fl < 0 && tp < 0)
		return bk_err_set(err, -EINVAL, "unknown attach type '%s'", attach);
	if (fl >= 0 && (handle || prio))
		return bk_err_set(err, -EINVAL, "handle and prio are for tc attach types, not %s", attach);
	int idx = dev_index(dev, err);
	if (idx < 0)
		return idx;
	if (fl >= 0) {
		int r = bpf_xdp_detach(idx, (uint32_t)fl, NULL);
		if (r)
			return bk_err_set(err, r, "%s: can't detach %s: %s", dev, attach, strerror(-r));
		return 0;
	}
	LIBBPF_OPTS(bpf_tc_hook, hook, .ifindex = idx, .attach_point = (enum bpf_tc_attach_point)tp);
	struct tcf f[64];
	int nf = tc_dump(idx, tp == BPF_TC_EGRESS, f, 64);
	if (nf < 0)
		return bk_err_set(err, nf, "%s: can't list the tc filters: %s", dev, strerror(-nf));
	char which[64];
	int done = 0;
	for (int i = 0; i < nf; i++) {
		if ((handle && f[i].handle != handle) || (prio && f[i].prio != prio))
			continue;
		LIBBPF_OPTS(bpf_tc_opts, o, .handle = f[i].handle, .priority = f[i].prio);
		int r = bpf_tc_detach(&hook, &o);
		if (r)
			return bk_err_set(err, r, "%s: can't detach %s%s: %s", dev, attach,
					  tc_which(which, sizeof(which), f[i].handle, f[i].prio), strerror(-r));
		done++;
	}
	if (!done)
		return bk_err_set(err, -ENOENT, "%s: can't detach %s: no BPF filter attached there%s", dev, attach,
				  tc_which(which, sizeof(which), handle, prio));
	return 0;
}

static const char *prog_name(uint32_t id, char *buf, size_t len)
{
	buf[0] = 0;
	int fd = bpf_prog_get_fd_by_id(id);
	if (fd < 0)
		return buf;
	struct bpf_prog_info info;
	uint32_t l = sizeof(info);
	memset(&info, 0, sizeof(info));
	if (!bpf_obj_get_info_by_fd(fd, &info, &l))
		snprintf(buf, len, "%s", info.name);
	close(fd);
	return buf;
}

int bk_kern_net_show(const char *dev, const struct bk_kern_fmt *fmt, struct bk_buf *out,
		     struct bk_err *err)
{
	struct if_nameindex *ifs = if_nameindex();
	if (!ifs)
		return bk_err_set(err, -errno, "can't list network devices: %s", strerror(errno));
	int only = 0;
	if (dev) {
		only = dev_index(dev, err);
		if (only < 0) {
			if_freenameindex(ifs);
			return only;
		}
	}
	struct bk_kj jw, *j = NULL;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
		bk_kj_obj(j);
		bk_kj_key(j, "xdp");
		bk_kj_arr(j);
	} else {
		bk_buf_printf(out, "xdp:\n");
	}
	static const struct { const char *mode; int off; } modes[] = {
		{ "driver", 0 }, { "generic", 1 }, { "offload", 2 },
	};
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		if (only && (int)i->if_index != only)
			continue;
		LIBBPF_OPTS(bpf_xdp_query_opts, q);
		if (bpf_xdp_query((int)i->if_index, 0, &q))
			continue;
		uint32_t ids[3] = { q.drv_prog_id, q.skb_prog_id, q.hw_prog_id };
		for (int m = 0; m < 3; m++) {
			if (!ids[m])
				continue;
			if (j) {
				bk_kj_obj(j);
				bk_kj_key(j, "devname"); bk_kj_str(j, i->if_name);
				bk_kj_key(j, "ifindex"); bk_kj_u64(j, i->if_index);
				bk_kj_key(j, "mode"); bk_kj_str(j, modes[m].mode);
				bk_kj_key(j, "id"); bk_kj_u64(j, ids[m]);
				bk_kj_end_obj(j);
			} else {
				bk_buf_printf(out, "%s(%u) %s id %u\n", i->if_name, i->if_index, modes[m].mode, ids[m]);
			}
		}
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_kj_key(j, "tc");
		bk_kj_arr(j);
	} else {
		bk_buf_printf(out, "\ntc:\n");
	}
	/* tc: every BPF filter on the clsact hooks; "name" is the filter's own name
	 * (TCA_BPF_NAME, which tc sets and libbpf does not), as bpftool prints it. */
	for (struct if_nameindex *i = ifs; i->if_index; i++) {
		if (only && (int)i->if_index != only)
			continue;
		for (int p = 0; p < 2; p++) {
			struct tcf f[64];
			int nf = tc_dump((int)i->if_index, p, f, 64);
			const char *kind = p ? "clsact/egress" : "clsact/ingress";
			for (int k = 0; k < nf; k++) {
				if (j) {
					bk_kj_obj(j);
					bk_kj_key(j, "devname"); bk_kj_str(j, i->if_name);
					bk_kj_key(j, "ifindex"); bk_kj_u64(j, i->if_index);
					bk_kj_key(j, "kind"); bk_kj_str(j, kind);
					if (f[k].name[0]) { bk_kj_key(j, "name"); bk_kj_str(j, f[k].name); }
					bk_kj_key(j, "id"); bk_kj_u64(j, f[k].prog_id);
					bk_kj_end_obj(j);
				} else {
					bk_buf_printf(out, "%s(%u) %s%s%s id %u\n", i->if_name, i->if_index, kind,
						      f[k].name[0] ? " " : "", f[k].name, f[k].prog_id);
				}
			}
		}
	}
	if_freenameindex(ifs);
	if (j) {
		bk_kj_end_arr(j);
		bk_kj_key(j, "flow_dissector");
		bk_kj_arr(j);
	} else {
		bk_buf_printf(out, "\nflow_dissector:\n");
	}
	int ns = open("/proc/self/ns/net", O_RDONLY);
	if (ns >= 0) {
		uint32_t ids[8], cnt = 8;
		if (!bpf_prog_query(ns, BPF_FLOW_DISSECTOR, 0, NULL, ids, &cnt))
			for (uint32_t k = 0; k < cnt; k++) {
				if (j) {
					bk_kj_obj(j);
					bk_kj_key(j, "id"); bk_kj_u64(j, ids[k]);
					bk_kj_end_obj(j);
				} else {
					bk_buf_printf(out, "id %u\n", ids[k]);
				}
			}
		close(ns);
	}
	if (j) {
		bk_kj_end_arr(j);
		bk_kj_end_obj(j);
		bk_kj_end_arr(j);
	}
	bk_buf_printf(out, "\n");   /* bpftool ends its flow_dissector section with an empty line */
	return 0;
}

/* ---- cgroups ------------------------------------------------------------------- */
/* bpftool's short words (and libbpf's full names) for cgroup attach points. */
static const struct { const char *word; enum bpf_attach_type t; } cg_words[] = {
	{ "ingress", BPF_CGROUP_INET_INGRESS }, { "egress", BPF_CGROUP_INET_EGRESS },
	{ "sock_create", BPF_CGROUP_INET_SOCK_CREATE }, { "sock_ops", BPF_CGROUP_SOCK_OPS },
	{ "device", BPF_CGROUP_DEVICE }, { "bind4", BPF_CGROUP_INET4_BIND },
	{ "bind6", BPF_CGROUP_INET6_BIND }, { "post_bind4", BPF_CGROUP_INET4_POST_BIND },
	{ "post_bind6", BPF_CGROUP_INET6_POST_BIND }, { "connect4", BPF_CGROUP_INET4_CONNECT },
	{ "connect6", BPF_CGROUP_INET6_CONNECT }, { "getpeername4", BPF_CGROUP_INET4_GETPEERNAME },
	{ "getpeername6", BPF_CGROUP_INET6_GETPEERNAME }, { "getsockname4", BPF_CGROUP_INET4_GETSOCKNAME },
	{ "getsockname6", BPF_CGROUP_INET6_GETSOCKNAME }, { "sendmsg4", BPF_CGROUP_UDP4_SENDMSG },
	{ "sendmsg6", BPF_CGROUP_UDP6_SENDMSG }, { "recvmsg4", BPF_CGROUP_UDP4_RECVMSG },
	{ "recvmsg6", BPF_CGROUP_UDP6_RECVMSG }, { "sysctl", BPF_CGROUP_SYSCTL },
	{ "getsockopt", BPF_CGROUP_GETSOCKOPT }, { "setsockopt", BPF_CGROUP_SETSOCKOPT },
	{ "sock_release", BPF_CGROUP_INET_SOCK_RELEASE },
};
#define NCG (sizeof(cg_words) / sizeof(cg_words[0]))

int bk_kern_attach_type(const char *word)
{
	for (size_t i = 0; i < NCG; i++)
		if (!strcmp(word, cg_words[i].word))
			return (int)cg_words[i].t;
	for (int t = 0; t < 64; t++) {
		const char *n = libbpf_bpf_attach_type_str((enum bpf_attach_type)t);
		if (n && !strcmp(n, word))
			return t;
	}
	return -1;
}

static int cg_open(const char *cg, struct bk_err *err)
{
	int fd = open(cg, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return bk_err_set(err, -errno, "%s: can't open cgroup: %s", cg, strerror(errno));
	return fd;
}

int bk_kern_cgroup_attach(const char *cg, const char *attach, int prog_fd, uint32_t flags,
			  int detach, struct bk_err *err)
{
	int t = bk_kern_attach_type(attach);
	int known = 0;
	for (size_t i = 0; i < NCG; i++)
		known |= t == (int)cg_words[i].t;
	if (t < 0 || !known)
		return bk_err_set(err, -EINVAL, "unknown cgroup attach type '%s'", attach);
	int fd = cg_open(cg, err);
	if (fd < 0)
		return fd;
	int r = detach ? bpf_prog_detach2(prog_fd, fd, (enum bpf_attach_type)t)
		       : bpf_prog_attach(prog_fd, fd, (enum bpf_attach_type)t, flags);
	int e = errno;
	close(fd);
	if (r)
		return bk_err_set(err, -e, "%s: can't %s %s: %s", cg, detach ? "detach" : "attach", attach,
				  strerror(e));
	return 0;
}

static const char *flags_word(uint32_t f)
{
	if (f & BPF_F_ALLOW_MULTI) return "multi";
	if (f & BPF_F_ALLOW_OVERRIDE) return "override";
	return "";
}

/* Programs on one cgroup; returns how many. */
static int cg_progs(int cgfd, int effective, struct bk_kj *j, struct bk_buf *out, const char *indent)
{
	int total = 0;
	for (size_t a = 0; a < NCG; a++) {
		uint32_t ids[64], cnt = 64, aflags = 0;
		if (bpf_prog_query(cgfd, cg_words[a].t, effective ? BPF_F_QUERY_EFFECTIVE : 0, &aflags, ids, &cnt))
			continue;
		for (uint32_t k = 0; k < cnt; k++) {
			char name[32];
			prog_name(ids[k], name, sizeof(name));
			const char *at = libbpf_bpf_attach_type_str(cg_words[a].t);
			total++;
			if (j) {
				bk_kj_obj(j);
				bk_kj_key(j, "id"); bk_kj_u64(j, ids[k]);
				bk_kj_key(j, "attach_type"); bk_kj_str(j, at ? at : cg_words[a].word);
				if (!effective) { bk_kj_key(j, "attach_flags"); bk_kj_str(j, flags_word(aflags)); }
				bk_kj_key(j, "name"); bk_kj_str(j, name);
				bk_kj_key(j, "attach_btf_name"); bk_kj_str(j, "");
				bk_kj_key(j, "attach_btf_obj_id"); bk_kj_u64(j, 0);
				bk_kj_key(j, "attach_btf_id"); bk_kj_u64(j, 0);
				bk_kj_end_obj(j);
			} else {
				bk_buf_printf(out, "%s%-8u %-15s %-15s %-15s\n", indent, ids[k], at ? at : cg_words[a].word,
					      effective ? "" : flags_word(aflags), name);
			}
		}
	}
	return total;
}

int bk_kern_cgroup_show(const char *cg, int effective, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err)
{
	int fd = cg_open(cg, err);
	if (fd < 0)
		return fd;
	struct bk_kj jw, *j = NULL;
	struct bk_buf body = { 0 };
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		j = &jw;
		bk_kj_arr(j);
	}
	int n = cg_progs(fd, effective, j, &body, "");
	close(fd);
	if (j) {
		bk_kj_end_arr(j);
		bk_buf_printf(out, "\n");
	} else if (n) {
		bk_buf_printf(out, "%-8s %-15s %-15s %-15s\n", "ID", "AttachType", "AttachFlags", "Name");
		bk_buf_append(out, body.data, body.len);
	}
	bk_buf_free(&body);
	return 0;
}

static struct { struct bk_kj *j; struct bk_buf *out; int effective; } tree;

static int tree_visit(const char *path, const struct stat *sb, int flag, struct FTW *ftw)
{
	if (flag != FTW_D)
		return 0;
	int fd = open(path, O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return 0;
	struct bk_buf body = { 0 };
	struct bk_buf probe = { 0 };
	/* Count first so cgroups without programs print nothing. */
	int n = cg_progs(fd, tree.effective, NULL, &probe, "");
	bk_buf_free(&probe);
	if (n) {
		if (tree.j) {
			bk_kj_obj(tree.j);
			bk_kj_key(tree.j, "cgroup"); bk_kj_str(tree.j, path);
			bk_kj_key(tree.j, "programs");
			bk_kj_arr(tree.j);
			cg_progs(fd, tree.effective, tree.j, NULL, "");
			bk_kj_end_arr(tree.j);
			bk_kj_end_obj(tree.j);
		} else {
			cg_progs(fd, tree.effective, NULL, &body, "    ");
			bk_buf_printf(tree.out, "%s\n", path);
			bk_buf_append(tree.out, body.data, body.len);
		}
	}
	bk_buf_free(&body);
	close(fd);
	return 0;
}

int bk_kern_cgroup_tree(const char *root, int effective, const struct bk_kern_fmt *fmt,
			struct bk_buf *out, struct bk_err *err)
{
	const char *r = root ? root : "/sys/fs/cgroup/unified";
	int fd = cg_open(r, err);
	if (fd < 0)
		return fd;
	close(fd);
	struct bk_kj jw;
	tree.j = NULL;
	tree.out = out;
	tree.effective = effective;
	if (fmt && fmt->json) {
		bk_kj_init(&jw, out, fmt->pretty);
		tree.j = &jw;
		bk_kj_arr(&jw);
	} else {
		bk_buf_printf(out, "CgroupPath\n%-8s %-15s %-15s %-15s\n", "ID", "AttachType", "AttachFlags", "Name");
	}
	nftw(r, tree_visit, 16, FTW_PHYS | FTW_MOUNT);
	if (tree.j) {
		bk_kj_end_arr(&jw);
		bk_buf_printf(out, "\n");
	}
	return 0;
}
