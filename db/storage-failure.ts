// A write refused by the storage under the database rather than by the data: the disk is full,
// the file or its filesystem turned read-only, or the device fails. Reads keep working.

export type StorageFailureReason = 'DISK_FULL' | 'READ_ONLY' | 'IO_ERROR';

export class StorageFailure extends Error {
  constructor(
    readonly reason: StorageFailureReason,
    readonly since: Date,
    cause: unknown,
  ) {
    super(`The database cannot take writes (${reason})`, { cause });
    this.name = 'StorageFailure';
  }
}
