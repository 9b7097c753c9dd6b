core-cmd-start = 开始或重新开始
core-cmd-help = 我能做什么
core-help = 你可以使用以下功能：
    { $commands }
core-link-invalid = 此链接或二维码无效（可能已被更换或已使用）。
