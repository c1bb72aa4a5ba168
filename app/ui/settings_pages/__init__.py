"""The pages of the Settings dialog, one module each.

Every page is a `SettingsPage`: `load(settings)` fills its widgets, `check()` returns the
problems with what the user entered (translated, for showing inline), and `save(settings)`
writes its values into a Settings object. The dialog checks every page before it saves any.
"""
