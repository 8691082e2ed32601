/* Internal to src/loader. */
#ifndef BK_LOADER_INT_H
#define BK_LOADER_INT_H

#include "bpfkit/loader.h"

#include <stdlib.h>

#endif
