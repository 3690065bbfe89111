using AtymSecure.OtaReleases.Bundles;
using AtymSecure.OtaReleases.Planning;
using AtymSecure.Primitives;

namespace AtymSecure.OtaReleases.Tests.Bundles;

/// <summary>
/// What every <see cref="IBundleStore"/> keeps (the data folder and the object store run the same cases): a bundle is
/// found whole under its digest, by another instance on the same storage too (a replica); ranges read its bytes; a
/// damaged or short object under its name is refused when read whole, and its cut index entry is not trusted; a damaged
/// entry is no entry; a temporary object a crashed write left is never a bundle. <see cref="Damage"/> and the other hooks
/// write under the store's keys directly, as damaged storage or a crashed writer would.
/// </summary>
public abstract class BundleStoreContract
{
    /// <summary>A store instance on the test's storage; each call a new instance on the same storage (another replica).</summary>
    protected abstract Task<IBundleStore> OpenAsync();

    /// <summary>Writes <paramref name="bytes"/> as the stored object of bundle <paramref name="hex"/>, bypassing every check.</summary>
    protected abstract Task Damage(string hex, byte[] bytes);

    /// <summary>Writes <paramref name="bytes"/> as the cut index entry named <paramref name="keyId"/>, bypassing every check.</summary>
    protected abstract Task WriteRawEntryAsync(string keyId, byte[] bytes);

    /// <summary>Leaves what a write of <paramref name="bytes"/> killed before it finished leaves (a temp file, an open multipart upload).</summary>
    protected abstract Task LeaveUnfinishedWriteAsync(string hex, byte[] bytes);

    private static BundleCutKey Key(string release, string deviceClass = "linux-x86_64") =>
        new(null, release, "sha256:" + new string('2', 64), deviceClass, ["log"]);

    private static async Task<byte[]> ReadAsync(Stream stream)
    {
        await using (stream)
        {
            using var copy = new MemoryStream();
            await stream.CopyToAsync(copy);
            return copy.ToArray();
        }
    }

    [Fact]
    public async Task A_stored_bundle_is_found_whole_under_its_digest_by_this_and_another_instance()
    {
        var store = await OpenAsync();
        var bundle = await TestBundles.FullAsync(20_000, 1);
        var bytes = await bundle.ToArrayAsync();
        var location = await store.StoreAsync(bundle);
        Assert.Equal((Digest.Compute(bytes).Encoded, (ulong)bytes.Length, false), (location.Sha256, location.Length, location.IsDelta));
        Assert.Equal(location, await store.StoreAsync(bundle)); // idempotent: same bytes, same name
        var replica = await OpenAsync();
        Assert.Equal(bytes.Length, await replica.FindAsync(location.Sha256));
        var read = await replica.OpenReadAsync(location.Sha256);
        Assert.NotNull(read);
        Assert.Equal(bytes.Length, read.Length);
        Assert.Equal(bytes, await ReadAsync(read));
        Assert.Equal(bytes, await replica.ReadAllAsync(location.Sha256));
    }

    [Fact]
    public async Task A_range_is_read_from_a_position_set_before_the_first_read()
    {
        var store = await OpenAsync();
        var bundle = await TestBundles.FullAsync(30_000, 2);
        var bytes = await bundle.ToArrayAsync();
        var location = await store.StoreAsync(bundle);
        var stream = (await store.OpenReadAsync(location.Sha256))!;
        Assert.True(stream.CanSeek);
        stream.Seek(12_345, SeekOrigin.Begin);
        Assert.Equal(bytes[12_345..], await ReadAsync(stream));
    }

    [Theory]
    [InlineData("not-hex")]
    [InlineData("ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789ABCDEF0123456789")]
    [InlineData("0000000000000000000000000000000000000000000000000000000000000000")]
    public async Task A_missing_or_malformed_digest_is_no_bundle(string hex)
    {
        var store = await OpenAsync();
        Assert.Null(await store.FindAsync(hex));
        Assert.Null(await store.OpenReadAsync(hex));
        Assert.Null(await store.ReadAllAsync(hex));
    }

    [Fact]
    public async Task A_damaged_object_under_a_bundles_name_is_refused_when_read_whole()
    {
        var store = await OpenAsync();
        var bytes = await (await TestBundles.FullAsync(20_000, 3)).ToArrayAsync();
        var location = await store.StoreAsync(await TestBundles.FullAsync(20_000, 3));
        var damaged = (byte[])bytes.Clone();
        damaged[^10] ^= 0x55;
        await Damage(location.Sha256, damaged);
        var e = await Assert.ThrowsAsync<BundleIntegrityException>(() => store.ReadAllAsync(location.Sha256));
        Assert.Contains(location.Sha256, e.Message, StringComparison.Ordinal);
    }

    [Fact]
    public async Task A_short_object_under_a_bundles_name_is_refused_and_its_cut_is_not_trusted()
    {
        var store = await OpenAsync();
        var location = await store.StoreAsync(await TestBundles.FullAsync(20_000, 4));
        var key = Key("rel-short");
        await store.RecordCutAsync(key, location);
        var bytes = (await store.ReadAllAsync(location.Sha256))!;
        await Damage(location.Sha256, bytes[..^100]);
        await Assert.ThrowsAsync<BundleIntegrityException>(() => store.ReadAllAsync(location.Sha256));
        Assert.Null(await (await OpenAsync()).FindCutAsync(key));
    }

    [Fact]
    public async Task A_recorded_cut_is_found_and_listed_by_another_instance()
    {
        var store = await OpenAsync();
        var location = await store.StoreAsync(await TestBundles.FullAsync(10_000, 5));
        var release = "rel-" + Guid.NewGuid().ToString("N")[..16];
        await store.RecordCutAsync(Key(release, "linux-x86_64"), location);
        await store.RecordCutAsync(Key(release, "linux-aarch64"), location);
        var replica = await OpenAsync();
        Assert.Equal(location, await replica.FindCutAsync(Key(release)));
        var listed = await replica.CutsForAsync(release);
        Assert.Equal(["linux-aarch64", "linux-x86_64"], listed.Select(c => c.Key!.DeviceClass));
        Assert.All(listed, c => Assert.Equal(location, c.Bundle));
        Assert.Empty(await replica.CutsForAsync("rel-other"));
    }

    [Fact]
    public async Task A_cut_whose_bundle_is_missing_or_whose_entry_is_damaged_is_no_cut()
    {
        var store = await OpenAsync();
        var missing = new BundleLocation(new string('a', 64), 100, false);
        await store.RecordCutAsync(Key("rel-missing"), missing);
        Assert.Null(await (await OpenAsync()).FindCutAsync(Key("rel-missing")));

        var location = await store.StoreAsync(await TestBundles.FullAsync(10_000, 6));
        var key = Key("rel-damaged-entry");
        await WriteRawEntryAsync(key.Id, "{\"sha256\":"u8.ToArray());
        Assert.Null(await (await OpenAsync()).FindCutAsync(key));
        // An entry naming a real bundle under another key's name is not listed for that key's release.
        await WriteRawEntryAsync(Key("rel-foreign").Id, CutIndexEntryBytes(Key("rel-stolen"), location));
        Assert.Empty(await (await OpenAsync()).CutsForAsync("rel-stolen"));
    }

    [Fact]
    public async Task A_write_killed_before_it_finished_is_never_a_bundle()
    {
        var bytes = await (await TestBundles.FullAsync(10_000, 7)).ToArrayAsync();
        var hex = Digest.Compute(bytes).Encoded;
        await LeaveUnfinishedWriteAsync(hex, bytes);
        var store = await OpenAsync();
        Assert.Null(await store.FindAsync(hex));
        Assert.Null(await store.OpenReadAsync(hex));
    }

    private static byte[] CutIndexEntryBytes(BundleCutKey key, BundleLocation location) =>
        System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(new { sha256 = location.Sha256, length = location.Length, isDelta = location.IsDelta, key });
}
