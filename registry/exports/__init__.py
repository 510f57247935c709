"""What leaves the alliance lead's own screen: participation statistics and the indicator export, with the
small-number suppression of METRICS.md applied to every figure that could identify someone, and every
export recorded (who, when, which filters, for what purpose)."""
