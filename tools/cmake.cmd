#!/bin/sh
: ; # Both a shell script (Unix) and a batch file (Windows: std runs a `.cmd` through cmd.exe), so one
: ; # CMAKE setting serves both; each hands over to cmake_launcher.py. cmd.exe refuses the first line
: ; # on stderr, harmlessly, and skips these label lines.
: ; command -v python3 >/dev/null 2>&1 || { echo "macroscope needs Python 3 (python.org) to find or install CMake, or set CMAKE to a CMake 3.26 or newer" >&2; exit 1; }
: ; exec python3 "$(dirname "$0")/cmake_launcher.py" "$@"
@py -3 "%~dp0cmake_launcher.py" %*
@if %ERRORLEVEL% neq 9009 exit /b %ERRORLEVEL%
@python "%~dp0cmake_launcher.py" %*
@if %ERRORLEVEL% neq 9009 exit /b %ERRORLEVEL%
@echo macroscope needs Python 3 (python.org) to find or install CMake, or set CMAKE to a CMake 3.26 or newer 1>&2
@exit /b 1
