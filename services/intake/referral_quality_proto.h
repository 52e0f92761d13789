// Referral-quality figures (services/intake/referral_quality.h) -> their
// sgm.intake.v1 messages. Header-only: used by the intake handlers alone.
#ifndef SGM_SERVICES_INTAKE_REFERRAL_QUALITY_PROTO_H_
#define SGM_SERVICES_INTAKE_REFERRAL_QUALITY_PROTO_H_

#include <vector>

#include "common/proto_convert.h"
#include "services/intake/referral_quality.h"
#include "sgm/intake/v1/intake.pb.h"

namespace sgm::intake {

inline void GapsToProto(
    const std::vector<QualityGapFigure>& gaps,
    google::protobuf::RepeatedPtrField<v1::QualityGap>* out) {
  for (const QualityGapFigure& g : gaps) {
    v1::QualityGap* gap = out->Add();
    gap->set_item(g.item);
    gap->set_contacts(g.contacts);
    gap->set_percent(g.percent);
  }
}

inline void FileQualityToProto(const FileQualityFigure& in,
                               v1::FileReferralQuality* out) {
  out->set_contacts(in.contacts);
  if (in.mean_score) out->set_mean_score(*in.mean_score);
  out->set_below_threshold(in.below_threshold);
  out->set_threshold(in.threshold);
  GapsToProto(in.top_gaps, out->mutable_top_gaps());
}

inline void QualityPointToProto(const QualityPointFigure& in,
                                v1::ReferralQualityPoint* out) {
  if (in.month) *out->mutable_month() = ToProtoMonth(*in.month);
  out->set_contacts(in.contacts);
  if (in.mean_score) out->set_mean_score(*in.mean_score);
  out->set_below_threshold(in.below_threshold);
  if (in.below_threshold_percent) {
    out->set_below_threshold_percent(*in.below_threshold_percent);
  }
}

inline void AgencyQualityToProto(const AgencyQualityFigure& in,
                                 v1::AgencyReferralQuality* out) {
  out->set_agency(in.agency);
  QualityPointToProto(in.total, out->mutable_total());
  for (const QualityPointFigure& p : in.trend) {
    QualityPointToProto(p, out->add_trend());
  }
  GapsToProto(in.top_gaps, out->mutable_top_gaps());
}

inline void ReferralQualityToProto(const ReferralQualityFigures& in,
                                   v1::GetReferralQualityResponse* out) {
  *out->mutable_from() = ToProtoMonth(in.from);
  *out->mutable_to() = ToProtoMonth(in.to);
  for (const QualityRuleFigure& r : in.rules) {
    v1::QualityRule* rule = out->add_rules();
    rule->set_item(r.item);
    rule->set_description(r.description);
    rule->set_weight(r.weight);
  }
  out->set_threshold(in.threshold);
  AgencyQualityToProto(in.all_agencies, out->mutable_all_agencies());
  for (const AgencyQualityFigure& a : in.agencies) {
    AgencyQualityToProto(a, out->add_agencies());
  }
}

}  // namespace sgm::intake

#endif  // SGM_SERVICES_INTAKE_REFERRAL_QUALITY_PROTO_H_
