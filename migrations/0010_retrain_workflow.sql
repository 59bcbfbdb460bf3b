DROP TABLE `model_parts`;--> statement-breakpoint
ALTER TABLE `model_versions` ADD `step` text;--> statement-breakpoint
-- A version still building was a queue-job chain, which no longer runs: it would never finish.
UPDATE `model_versions` SET `status` = 'failed', `failure` = 'its retrain ran as queue jobs, which were replaced by the retrain Workflow' WHERE `status` = 'building';--> statement-breakpoint
CREATE UNIQUE INDEX `model_versions_one_building` ON `model_versions` (`status`) WHERE "model_versions"."status" = 'building';