export interface LoadResult {
  actors: number;
  connections: number;
  seconds: number;
  requests: number;
  errors: number;
  lost: number;
  unacknowledgedButStored: number;
  rps: number;
}
export function runLoad(options?: { actors?: number; connections?: number; duration?: number }): Promise<LoadResult>;
