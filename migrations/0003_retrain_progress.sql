ALTER TABLE `model_versions` ADD `progress_at` integer;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `failure` text;