"""The one error type the study front ends show to people as it is."""


class StudyError(Exception):
    """Something a member or manager asked for cannot be done; the message says why, in plain words."""
