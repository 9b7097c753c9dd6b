core-cmd-start = Start or restart
core-cmd-help = What I can do
core-help = Here is what you can do:
    { $commands }
core-link-invalid = This link or QR code is not valid (it may have been replaced or used up).
