// Which symbols libstrata exports. The library is built with -fvisibility=hidden, so only
// what a public header declares is visible to programs that link it: each public header
// wraps its declarations in STRATA_API_BEGIN / STRATA_API_END. Internal code (everything
// under src/) stays hidden and can change freely.
#pragma once

#if defined(__GNUC__) || defined(__clang__)
#define STRATA_API_BEGIN _Pragma("GCC visibility push(default)")
#define STRATA_API_END _Pragma("GCC visibility pop")
#define STRATA_EXPORT __attribute__((visibility("default")))
#else
#define STRATA_API_BEGIN
#define STRATA_API_END
#define STRATA_EXPORT
#endif
