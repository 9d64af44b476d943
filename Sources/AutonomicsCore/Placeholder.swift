import Crypto
import DequeModule
