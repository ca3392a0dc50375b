DROP TABLE images;
DROP TABLE jobs;
DROP TABLE ai_tasks;
