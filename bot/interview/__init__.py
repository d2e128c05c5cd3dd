"""The interview: state machine, follow-up policy, persona voices and the end-of-session report."""
