using NodaTime;

namespace Portier.Server.Infrastructure;

public static class ClockExtensions
{
    /// <summary>
    /// The current instant at the millisecond precision the database keeps, so what an answer
    /// shows right after a write equals what a later read returns.
    /// </summary>
    public static Instant GetCurrentInstant(this TimeProvider clock) =>
        Instant.FromUnixTimeMilliseconds(clock.GetUtcNow().ToUnixTimeMilliseconds());
}
