"""Telling admins about trouble: one alert per job and cause, mailed once (`mail_admins`) and listed on the
reconciliation page. Every note a creative reads that says "an admin has been told" is backed by one of these."""
