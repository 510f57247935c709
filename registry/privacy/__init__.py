"""Data rights under UK GDPR: everything held about one person (subject access), erasure that keeps the
alliance's anonymous counts, and the retention rule that erases leavers once their time is up."""
