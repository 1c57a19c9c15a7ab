"""One module per page type: login (login, password, logout), dept (报送任务, 上传, 我的报送,
a return's page), office (报送情况 of a period, decisions on a return); ``base`` what
they share."""
