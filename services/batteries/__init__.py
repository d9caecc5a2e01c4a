"""NEV traction battery custody at scrappage (issue 22.4): the battery recorded against the VIN of a
scrappage voucher, hand-over only to operator-listed recipients, a custody log with the national
traceability platform's working-day reporting deadlines, and the platform export."""
