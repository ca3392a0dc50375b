DROP TRIGGER ai_tasks_events ON ai_tasks;
DROP FUNCTION zimage_task_event();
DROP TABLE task_events;
