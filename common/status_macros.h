// Small status helpers: Abseil 20220623 ships no status macros.
#ifndef SGM_COMMON_STATUS_MACROS_H_
#define SGM_COMMON_STATUS_MACROS_H_

#include <utility>

#include "absl/status/status.h"
#include "absl/status/statusor.h"

#define SGM_STATUS_CONCAT_INNER_(a, b) a##b
#define SGM_STATUS_CONCAT_(a, b) SGM_STATUS_CONCAT_INNER_(a, b)

// Returns from the enclosing function when `expr` is not OK.
#define SGM_RETURN_IF_ERROR(expr)              \
  do {                                         \
    const ::absl::Status sgm_status_ = (expr); \
    if (!sgm_status_.ok()) return sgm_status_; \
  } while (false)

// `lhs = value of expr`, or returns the error of a failed StatusOr.
#define SGM_ASSIGN_OR_RETURN(lhs, expr)                                        \
  SGM_ASSIGN_OR_RETURN_IMPL_(SGM_STATUS_CONCAT_(sgm_statusor_, __LINE__), lhs, \
                             expr)

#define SGM_ASSIGN_OR_RETURN_IMPL_(statusor, lhs, expr) \
  auto statusor = (expr);                               \
  if (!statusor.ok()) return statusor.status();         \
  lhs = std::move(statusor).value()

#endif  // SGM_COMMON_STATUS_MACROS_H_
