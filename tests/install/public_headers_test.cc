// Compiled with only include/ on the path and no third-party include directory: it
// fails to build if a public header includes duckdb.h or another dependency's header.
#include "strata/dataframe.h"
#include "strata/engine.h"
#include "strata/events.h"
#include "strata/filesystem.h"
#include "strata/frame.h"
#include "strata/status.h"

int main() {
  strata::Frame f = strata::sql("SELECT 1 AS one");
  auto df = f.collect();
  return df.ok() && df->column(0).GetInt64(0) == 1 ? 0 : 1;
}
