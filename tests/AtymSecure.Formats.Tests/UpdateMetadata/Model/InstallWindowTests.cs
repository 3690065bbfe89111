using AtymSecure.Formats.UpdateMetadata;
using AtymSecure.Formats.UpdateMetadata.Json;
using AtymSecure.Formats.UpdateMetadata.Model;
using AtymSecure.Primitives;
using CsCheck;

namespace AtymSecure.Formats.Tests.UpdateMetadata.Model;

/// <summary>The <c>installWindow</c> reader (docs/update-metadata.md §3.1): limits, refusals at their path, and a
/// property test that any window our writer writes reads back equal and answers "open?" like a brute-force scan.</summary>
public class InstallWindowTests
{
    private static readonly DateTimeOffset T0 = new(2026, 12, 3, 2, 0, 0, TimeSpan.Zero);

    private static CanonicalJsonObject Json(params (string Start, string End)[] intervals) => CanonicalJsonObject.Of(("intervals",
        new CanonicalJsonArray(intervals.Select(i => (CanonicalJsonValue)CanonicalJsonObject.Of(("end", i.End), ("start", i.Start))))));

    private static string T(DateTimeOffset t) => RoleMetadata.FormatTime(t);

    private static MetadataRefusal Refused(CanonicalJsonObject window) =>
        Assert.Throws<MetadataRefusedException>(() => InstallWindow.FromJson(JsonFields.Of(window, "$.installWindow"))).Refusal;

    [Fact]
    public void A_window_reads_back_what_was_written()
    {
        var window = new InstallWindow([new UtcInterval(T0, T0.AddHours(2)), new UtcInterval(T0.AddDays(1), T0.AddDays(1).AddHours(2))]);
        Assert.Equal(window, InstallWindow.FromJson(JsonFields.Of(window.ToJson(), "$")));
        Assert.Equal("""{"intervals":[{"end":"2026-12-03T04:00:00Z","start":"2026-12-03T02:00:00Z"},{"end":"2026-12-04T04:00:00Z","start":"2026-12-04T02:00:00Z"}]}""",
            System.Text.Encoding.UTF8.GetString(CanonicalJsonWriter.Encode(window.ToJson())));
    }

    [Fact]
    public void Open_is_start_inclusive_end_exclusive_and_the_next_opening_is_the_next_start()
    {
        var window = new InstallWindow([new UtcInterval(T0, T0.AddHours(2)), new UtcInterval(T0.AddDays(1), T0.AddDays(1).AddHours(2))]);
        Assert.False(window.IsOpen(T0.AddSeconds(-1)));
        Assert.True(window.IsOpen(T0));
        Assert.False(window.IsOpen(T0.AddHours(2)));
        Assert.Equal(T0, window.NextOpening(T0.AddSeconds(-1)));
        Assert.Equal(T0.AddDays(1), window.NextOpening(T0));
        Assert.Null(window.NextOpening(T0.AddDays(1)));
    }

    public static TheoryData<string, string> Bad => new()
    {
        // the case, the end of the refusal's path
        { "no intervals", "installWindow.intervals" },
        { "too many intervals", "installWindow.intervals" },
        { "end before start", "intervals[0].end" },
        { "empty interval", "intervals[0].end" },
        { "longer than a week", "intervals[0].end" },
        { "overlapping", "intervals[1]" },
        { "out of order", "intervals[1]" },
        { "local offset", "intervals[0].start" },
        { "fractional seconds", "intervals[0].end" },
        { "not a date", "intervals[0].start" },
        { "number for a time", "intervals[0].start" },
        { "unknown window member", "installWindow.days" },
        { "unknown interval member", "intervals[0].timeZone" },
        { "interval not an object", "intervals[0]" },
    };

    [Theory]
    [MemberData(nameof(Bad))]
    public void Bad_windows_are_metadata_malformed_at_their_path(string name, string pathEnd)
    {
        var ok = (T(T0), T(T0.AddHours(2)));
        CanonicalJsonObject window = name switch
        {
            "no intervals" => Json(),
            "too many intervals" => Json([.. Enumerable.Range(0, InstallWindow.MaxIntervals + 1).Select(i => (T(T0.AddDays(i)), T(T0.AddDays(i).AddHours(1))))]),
            "end before start" => Json((T(T0), T(T0.AddSeconds(-1)))),
            "empty interval" => Json((T(T0), T(T0))),
            "longer than a week" => Json((T(T0), T(T0.AddDays(7).AddSeconds(1)))),
            "overlapping" => Json(ok, (T(T0.AddHours(1)), T(T0.AddHours(3)))),
            "out of order" => Json((T(T0.AddDays(1)), T(T0.AddDays(1).AddHours(1))), ok),
            "local offset" => Json(("2026-12-03T03:00:00+01:00", ok.Item2)),
            "fractional seconds" => Json((ok.Item1, "2026-12-03T04:00:00.5Z")),
            "not a date" => Json(("2026-02-30T02:00:00Z", ok.Item2)),
            "number for a time" => JsonEdit.Set(Json(ok), "intervals|0|start", 1_796_263_200L),
            "unknown window member" => JsonEdit.Set(Json(ok), "days", CanonicalJsonArray.Of(["monday"])),
            "unknown interval member" => JsonEdit.Set(Json(ok), "intervals|0|timeZone", "Europe/Berlin"),
            _ => JsonEdit.Set(Json(ok), "intervals|0", "02:00-04:00"),
        };
        var refusal = Refused(window);
        Assert.Equal(ReasonCodes.MetadataMalformed, refusal.Code);
        Assert.EndsWith(pathEnd, refusal.Path, StringComparison.Ordinal);
    }

    [Fact]
    public void A_director_target_with_a_bad_window_is_refused_at_the_window()
    {
        var custom = new DirectorTargetCustom(SampleMetadata.Release, new ImageReference(new string('a', 64), 9),
            new InstallWindow([new UtcInterval(T0, T0.AddHours(1))])).ToJson();
        var bad = JsonEdit.Set(custom, "installWindow|intervals", new CanonicalJsonArray([]));
        var refusal = Assert.Throws<MetadataRefusedException>(() => DirectorTargetCustom.FromJson(bad, "$.custom")).Refusal;
        Assert.Equal("$.custom.installWindow.intervals", refusal.Path);
    }

    private static readonly Gen<InstallWindow> Windows =
        Gen.Select(Gen.Int[0, 3600 * 24], Gen.Select(Gen.Int[0, 3600 * 24 * 3], Gen.Int[1, 3600 * 24 * 7]).Array[1, InstallWindow.MaxIntervals])
            .Select((offset, gapsAndLengths) =>
            {
                var intervals = new List<UtcInterval>();
                var at = T0.AddSeconds(offset);
                foreach (var (gap, length) in gapsAndLengths)
                {
                    var start = at.AddSeconds(gap);
                    intervals.Add(new UtcInterval(start, start.AddSeconds(length)));
                    at = start.AddSeconds(length);
                }
                return new InstallWindow(new EquatableList<UtcInterval>(intervals));
            });

    [Fact]
    public void Any_window_round_trips_and_is_open_exactly_inside_an_interval()
    {
        Gen.Select(Windows, Gen.Int[-3600 * 24, 3600 * 24 * 200]).Sample((window, probe) =>
        {
            var read = InstallWindow.FromJson(JsonFields.Of(window.ToJson(), "$"));
            Assert.Equal(window, read);
            var now = T0.AddSeconds(probe);
            Assert.Equal(window.Intervals.Any(i => i.Start <= now && now < i.End), read.IsOpen(now));
            var next = read.NextOpening(now);
            Assert.Equal(window.Intervals.Where(i => i.Start > now).Select(i => (DateTimeOffset?)i.Start).FirstOrDefault(), next);
        }, iter: 2000);
    }
}
