#!/bin/sh
: ; # One file both Unix (a shell script) and Windows (a batch file: std runs `.cmd` through cmd.exe)
: ; # can run as CMAKE; both hand over to cmake_launcher.py. On Windows the first line is refused
: ; # by cmd.exe on stderr, harmlessly (that output goes to the build log).
: ; exec python3 "$(dirname "$0")/cmake_launcher.py" "$@"
@echo off
where py >nul 2>nul && (py -3 "%~dp0cmake_launcher.py" %* & exit /b)
python "%~dp0cmake_launcher.py" %*
