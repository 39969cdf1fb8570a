"""The working-day calendar in the system of record: the schedules a platform administrator
entered (`store`), built into the domain's `WorkCalendar` and installed in the process."""
