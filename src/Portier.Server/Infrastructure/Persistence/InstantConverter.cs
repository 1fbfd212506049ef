using Microsoft.EntityFrameworkCore.Storage.ValueConversion;
using NodaTime;

namespace Portier.Server.Infrastructure.Persistence;

/// <summary>Stores an <see cref="Instant"/> as Unix milliseconds so both providers compare it as a number.</summary>
public sealed class InstantConverter() : ValueConverter<Instant, long>(
    instant => instant.ToUnixTimeMilliseconds(),
    millis => Instant.FromUnixTimeMilliseconds(millis));
