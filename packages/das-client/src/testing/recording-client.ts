// Per test: a recording server that checks signatures with `sk`, and a DasClient for it whose back-off
// sleeps are recorded instead of slept (and whose jitter is fixed), closed after each test.
import { afterEach, beforeEach } from 'vitest';
import { DasClient } from '../client.ts';
import { startRecordingServer, type RecordingServer } from './recording-server.ts';

export interface RecordingClient {
  readonly server: RecordingServer;
  /** The back-off delays the client asked for, in order. */
  readonly sleeps: number[];
  makeClient(): DasClient;
}

export function useRecordingClient(projectId: string, ak: string, sk: string): RecordingClient {
  let server: RecordingServer | undefined;
  let client: DasClient | undefined;
  let sleeps: number[] = [];
  beforeEach(async () => {
    server = await startRecordingServer(sk);
    sleeps = [];
  });
  afterEach(async () => {
    client?.close();
    client = undefined;
    await server?.close();
  });
  return {
    get server() {
      if (!server) throw new Error('the recording server runs only inside a test');
      return server;
    },
    get sleeps() {
      return sleeps;
    },
    makeClient() {
      client = new DasClient({
        endpoint: this.server.url,
        projectId,
        credentials: () => ({ ak, sk }),
        sleep: async (ms) => {
          sleeps.push(ms);
        },
        random: () => 0.5,
      });
      return client;
    },
  };
}
