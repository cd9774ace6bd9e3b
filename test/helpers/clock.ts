/** A clock the test moves by hand, handed to the app as its `clock`. */
export function testClock(iso: string) {
  let now = new Date(iso).getTime();
  return {
    now: () => new Date(now),
    set(at: string) {
      now = new Date(at).getTime();
    },
    advance(ms: number) {
      now += ms;
    },
  };
}
