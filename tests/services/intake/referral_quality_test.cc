// Placeholder: to be written by the referral-quality work.
