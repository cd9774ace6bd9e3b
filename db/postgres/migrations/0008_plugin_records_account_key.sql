ALTER TABLE "plugin_records" DROP CONSTRAINT "plugin_records_plugin_kind_key_pk";--> statement-breakpoint
ALTER TABLE "plugin_records" ALTER COLUMN "account_id" SET NOT NULL;--> statement-breakpoint
ALTER TABLE "plugin_records" ADD CONSTRAINT "plugin_records_account_id_plugin_kind_key_pk" PRIMARY KEY("account_id","plugin","kind","key");