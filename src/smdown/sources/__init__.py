"""Readers that normalise each real data source to one layout.

Every reader returns data with ascending `lat`/`lon`, month-start `time` (datetime64) and
volumetric soil moisture in m3 m-3, and raises `InputError` naming the file on bad input.
"""
