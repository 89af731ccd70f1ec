DROP TRIGGER IF EXISTS saved_views_notify_change ON saved_views;
