/* store_int.h - helpers shared inside the store module. */
#ifndef DISPUTED_STORE_INT_H
#define DISPUTED_STORE_INT_H

#include <stddef.h>

/* Number of schema migrations; migration i brings the schema to version i+1. */
size_t store_migration_count(void);
/* SQL of migration i (0-based), or NULL past the end. */
const char *store_migration_sql(size_t i);

#endif
