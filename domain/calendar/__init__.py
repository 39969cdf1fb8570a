"""The working-day calendar (法定节假日 and 调休 weekend work days): a value built from the State
Council's yearly schedules (`schedule`), and its validation (`entry`)."""
