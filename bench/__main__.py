import sys

if sys.argv[1:2] == ["objects"]:  # python -m bench objects: the objects benchmark
    from bench.objects import main as objects_main

    sys.exit(objects_main(sys.argv[2:]))

from bench.run import main

sys.exit(main())
