/* The interpreter: interp_body.h instantiated twice, plain and counting. */
#include "vm_internal.h"

#include <errno.h>
#include <string.h>

#define BK_FNAME bk__interp
#include "interp_body.h"
#undef BK_FNAME

#define BK_COUNT 1
#define BK_FNAME bk__interp_count
#include "interp_body.h"
