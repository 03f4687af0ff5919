from __future__ import annotations

from PIL import Image

from seedance_studio.preview.stills import cover_image, draw_badge, draw_title_card


def halves(path, size=(800, 400), *, orientation=None):
    """Left half red, right half blue."""
    image = Image.new("RGB", size, (255, 0, 0))
    image.paste((0, 0, 255), (size[0] // 2, 0, size[0], size[1]))
    exif = Image.Exif()
    if orientation:
        exif[0x0112] = orientation
    image.save(path, exif=exif)
    return path


def test_it_turns_a_sideways_photo_upright(tmp_path):
    # Orientation 6: the stored left edge is the top of the picture as taken.
    still = Image.open(cover_image(halves(tmp_path / "phone.jpg", orientation=6), (496, 864), tmp_path / "c.png"))

    assert still.size == (496, 864)
    top, bottom = still.getpixel((248, 50)), still.getpixel((248, 814))
    assert top[0] > 200 > top[2] and bottom[2] > 200 > bottom[0]


def test_it_crops_to_cover_the_frame_rather_than_stretching(tmp_path):
    # A 2:1 picture in a 1:1 frame keeps its middle half: a red left and a blue right half of the frame.
    still = Image.open(cover_image(halves(tmp_path / "wide.png"), (640, 640), tmp_path / "c.png"))

    assert still.size == (640, 640)
    assert still.getpixel((10, 320))[0] > 200 and still.getpixel((630, 320))[2] > 200


def test_it_puts_transparency_on_black(tmp_path):
    picture = Image.new("RGBA", (100, 100), (0, 255, 0, 0))
    picture.save(tmp_path / "clear.webp")

    still = Image.open(cover_image(tmp_path / "clear.webp", (864, 496), tmp_path / "c.png"))
    assert still.mode == "RGB" and max(still.getpixel((10, 10))) < 10


def test_it_keeps_a_long_prompt_inside_the_card(tmp_path):
    prompt = "A very long prompt about a harbour at dawn " * 30 + "ending here"
    card = Image.open(draw_title_card(prompt, (560, 752), tmp_path / "card.png")).convert("L")

    assert card.size == (560, 752)
    text_columns = [x for x in range(card.width) if max(card.getpixel((x, y)) for y in range(0, 752, 2)) > 200]
    assert text_columns and min(text_columns) > 20 and max(text_columns) < 540


def test_it_draws_a_translucent_badge(tmp_path):
    path, margin = draw_badge((1280, 720), tmp_path / "badge.png")
    badge = Image.open(path)

    assert badge.mode == "RGBA" and badge.width < 1280 // 2 and margin > 0
    assert badge.getpixel((0, 0))[3] == 0 and 0 < badge.getpixel((badge.width // 2, 2))[3] < 255
