// Pure: the abuse-category funnel from contact to CP plan (docs/insight.md),
// composed from intake's contact categories (the CONTACT stage) and the KPI
// service's later stages (REFERRAL, S47, ICPC, CP_PLAN), with each stage's
// conversion from the one before, category by category.
#ifndef SGM_SERVICES_GATEWAY_ABUSE_FUNNEL_H_
#define SGM_SERVICES_GATEWAY_ABUSE_FUNNEL_H_

#include "absl/time/civil_time.h"
#include "sgm/gateway/v1/gateway.pb.h"
#include "sgm/intake/v1/intake.pb.h"
#include "sgm/kpi/v1/kpi.pb.h"

namespace sgm::gateway {

// The funnel over the months `from` to `to`: stages CONTACT, REFERRAL, S47,
// ICPC, CP_PLAN in that order, each with NEG, PHY, SAB, EMO, MUL, NONE in
// that order (a category missing from an input counts 0), and conversions
// on every stage after the first.
sgm::gateway::v1::AbuseCategoryFunnel ComposeAbuseFunnel(
    absl::CivilMonth from, absl::CivilMonth to,
    const sgm::intake::v1::GetContactCategoriesResponse& contacts,
    const sgm::kpi::v1::GetCategoryFunnelResponse& later_stages);

}  // namespace sgm::gateway

#endif  // SGM_SERVICES_GATEWAY_ABUSE_FUNNEL_H_
