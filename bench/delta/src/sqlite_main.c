/* Driver linked with the SQLite amalgamation for the delta bench: a small workload so the
 * whole engine (parser, VDBE, B-tree, pager with the in-memory VFS) is reachable. */
#include <stdio.h>
#include "sqlite3.h"

static int print_row(void *unused, int n, char **values, char **names) {
  (void)unused;
  for (int i = 0; i < n; i++) printf("%s=%s ", names[i], values[i] ? values[i] : "NULL");
  printf("\n");
  return 0;
}

int main(void) {
  sqlite3 *db;
  char *err = 0;
  if (sqlite3_open(":memory:", &db) != SQLITE_OK) return 1;
  const char *sql =
      "CREATE TABLE t(id INTEGER PRIMARY KEY, name TEXT, v REAL);"
      "WITH RECURSIVE c(x) AS (SELECT 1 UNION ALL SELECT x+1 FROM c WHERE x<20000)"
      " INSERT INTO t(name, v) SELECT 'n' || x, x * 0.5 FROM c;"
      "SELECT count(*) AS n, sum(v) AS s, max(name) AS m FROM t;"
      "SELECT sqlite_version() AS version;";
  if (sqlite3_exec(db, sql, print_row, 0, &err) != SQLITE_OK) { printf("error: %s\n", err); return 2; }
  sqlite3_close(db);
  return 0;
}
