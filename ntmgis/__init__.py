"""ntmgis — GIS toolkit for Vietnam's New Rural Development programme (Nông thôn mới)."""
